import type { MessageShape } from '../../shape.ts';
import type { fields as en } from '../en/fields.ts';

export const fields: MessageShape<typeof en> = {
  host: '主机',
  port: '端口',
  payload: '数据',
  connectTimeoutMs: '连接超时',
  idleTimeoutMs: '空闲超时',
  maxResponseBytes: '接收上限',
  tls: 'TLS',
  serverName: 'SNI 名称',
  verifyName: '校验名称',
  caFile: 'CA 文件',
  certFile: '客户端证书',
  keyFile: '客户端私钥',
  pfxFile: 'PKCS#12 文件',
  passphrase: '口令',
  alpn: 'ALPN',
  minVersion: '最低版本',
  maxVersion: '最高版本',
  repeatEveryMs: '发送间隔',
  bindHost: '绑定地址',
  repeatCount: '次数',
  labelled: '{{label}}：{{message}}',
};
