// A real SMTP server on loopback for the end-to-end tests: it accepts every message and writes
// it, as received, to <dir>/<n>.eml. The portal delivers to it exactly as to a production
// relay (BAWABA_SMTP_URL=smtp://127.0.0.1:<port>); the tests read the files.
// Usage: node smtp-sink.mjs <port> <dir>
import net from "node:net";
import fs from "node:fs";
import path from "node:path";

const [port, dir] = process.argv.slice(2);
fs.mkdirSync(dir, { recursive: true });
let count = 0;

net
  .createServer((socket) => {
    let buffer = "";
    let inData = false;
    let rcpt = [];
    const reply = (line) => socket.write(line + "\r\n");
    reply("220 bawaba-e2e-sink ESMTP");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          const body = buffer.slice(0, end).replace(/^\.\./gm, ".");
          buffer = buffer.slice(end + 5);
          inData = false;
          count += 1;
          const name = path.join(dir, `${Date.now()}-${String(count).padStart(4, "0")}.eml`);
          fs.writeFileSync(name + ".tmp", `X-Rcpt-To: ${rcpt.join(", ")}\r\n` + body, "latin1");
          fs.renameSync(name + ".tmp", name);
          rcpt = [];
          reply("250 2.0.0 queued");
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") {
          reply("250-bawaba-e2e-sink");
          reply("250 8BITMIME");
        } else if (verb === "HELO") reply("250 bawaba-e2e-sink");
        else if (verb === "MAIL") {
          rcpt = [];
          reply("250 2.1.0 ok");
        } else if (verb === "RCPT") {
          rcpt.push(line.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, "$1"));
          reply("250 2.1.5 ok");
        } else if (verb === "DATA") {
          inData = true;
          reply("354 end with <CRLF>.<CRLF>");
        } else if (verb === "QUIT") {
          reply("221 2.0.0 bye");
          socket.end();
          return;
        } else if (verb === "RSET" || verb === "NOOP") reply("250 ok");
        else reply("502 5.5.2 not implemented");
      }
    });
    socket.on("error", () => {});
  })
  .listen(Number(port), "127.0.0.1");
