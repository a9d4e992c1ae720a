/** Units and durations (numbers themselves go through Intl with the current locale). */
export const format = {
  bytes: '{{n}} B',
  perSecond: '{{size}}/s',
  milliseconds: '{{n}} ms',
  /** The unit after a field of milliseconds. */
  msUnit: 'ms',
  secondsShort: '{{n}} s',
  minutes: '{{n}} min',
  hours: '{{n}} h',
  minutesSeconds: '{{min}} min {{s}} s',
};
