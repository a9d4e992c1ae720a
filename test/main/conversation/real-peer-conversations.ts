/** The conversation files the real-peer tests run (in-process and through the built CLI), as YAML text. */

/** redis-server: SET, GET with a capture, a send that uses it, QUIT, eof. */
export function redisConversation(port: number): string {
  return `name: Redis SET, GET with a capture, QUIT
target:
  host: 127.0.0.1
  port: ${port}
variables:
  key: greeting
steps:
  - send: "SET \${key} hello\\r\\n"
  - expect: {exact: "+OK\\r\\n"}
  - send: "GET \${key}\\r\\n"
  - expect:
      regex: '\\$\\d+\\r\\n[^\\r]*\\r\\n'
      capture:
        value: '\\$\\d+\\r\\n([^\\r]*)\\r\\n'
  - send: "SET copy \${value}-\${counter}\\r\\nGET copy\\r\\n"
  - expect: {contains: "+OK\\r\\n$7\\r\\nhello-1\\r\\n", abort_on: ["-ERR"]}
  - send: "QUIT\\r\\n"
  - expect: {exact: "+OK\\r\\n"}
  - expect: {eof: true}
`;
}

/** The SMTP debugging server: EHLO, MAIL FROM, RCPT TO, DATA, QUIT on the reply codes; needs --var token. */
export function smtpConversation(port: number): string {
  return `name: SMTP mail through the debugging server
target:
  host: 127.0.0.1
  port: ${port}
steps:
  - expect: {regex: '^220 [^\\r]*\\r\\n', timeout_ms: 10000}
  - send: "EHLO client.test\\r\\n"
  - expect: {regex: '(?m)^250 [^\\r]*\\r\\n', abort_on: [{regex: '(?m)^[45]\\d\\d '}]}
  - send: "MAIL FROM:<alice@client.test>\\r\\n"
  - expect: {regex: '^250 [^\\r]*\\r\\n', abort_on: [{regex: '^[45]'}]}
  - send: "RCPT TO:<bob@server.test>\\r\\n"
  - expect: {regex: '^250 [^\\r]*\\r\\n', abort_on: [{regex: '^[45]'}]}
  - send: "DATA\\r\\n"
  - expect: {regex: '^354 [^\\r]*\\r\\n'}
  - send: "Subject: conversation test\\r\\n\\r\\nbody \${token}\\r\\n.\\r\\n"
  - expect: {regex: '^250 [^\\r]*\\r\\n'}
  - send: "QUIT\\r\\n"
  - expect: {regex: '^221 [^\\r]*\\r\\n'}
  - expect: {eof: true}
`;
}

