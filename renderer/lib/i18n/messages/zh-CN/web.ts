import type { MessageShape } from '../../shape.ts';
import type { web as en } from '../en/web.ts';

export const web: MessageShape<typeof en> = {
  noTokenTitle: '此地址需要访问令牌',
  noTokenBefore: '网页模式只为从其启动时打印的确切地址打开的页面提供服务。该地址以',
  noTokenAfter: '结尾，这是每次启动时生成的密钥。',
  refusedTitle: '网页服务器拒绝了此页面的令牌',
  refusedText: '网页模式每次启动都会生成新令牌，因此之前启动时的地址已失效。',
  unreachableTitle: '无法连接 Socket Tester 网页服务器',
  unreachableBefore: '以下地址无响应：',
  unreachableAfter: '：网页模式未运行，或运行在其他端口上。',
  howTo: '要获得可用的地址，请在终端中运行以下命令，并打开它打印的地址：',
  fromSource: '从源码目录运行：',
  itPrints: '。它会打印',
  lostBefore: '与 Socket Tester 网页服务器的连接已断开（服务器已停止）。已显示的内容仍可阅读；请再次运行',
  lostAfter: '并打开它打印的新地址。',
  notConnected: '未连接到 Socket Tester 网页服务器；请重新加载页面。',
};
