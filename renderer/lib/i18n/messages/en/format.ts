/** Units and durations (numbers themselves go through Intl with the current locale). */
export const format = {
  bytes: '{{n}} B',
  perSecond: '{{size}}/s',
  secondsShort: '{{n}} s',
  minutesSeconds: '{{min}} min {{s}} s',
};
