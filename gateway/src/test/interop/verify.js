// Verifies like a Standard Webhooks receiver: node verify.js <secret> <headers as JSON> < body
// Exits 0 and prints "verified" when the reference library accepts the message, else exits 1
// with the library's reason.
const { Webhook } = require("standardwebhooks");

const [secret, headers] = process.argv.slice(2);
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const payload = Buffer.concat(chunks).toString("utf8");
  try {
    new Webhook(secret).verify(payload, JSON.parse(headers));
    process.stdout.write("verified");
  } catch (e) {
    process.stdout.write("refused: " + e.message);
    process.exitCode = 1;
  }
});
