// Signs like a Standard Webhooks sender: node sign.js <secret> <msg-id> <epoch-seconds> < body
// Prints the three headers as JSON. Several secrets (comma-free, space-separated in one argument)
// give several signatures, as a sender rotating its key sends them.
const { Webhook } = require("standardwebhooks");

const [secrets, id, seconds] = process.argv.slice(2);
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const payload = Buffer.concat(chunks).toString("utf8");
  const timestamp = new Date(Number(seconds) * 1000);
  const signature = secrets.split(" ").map((s) => new Webhook(s).sign(id, timestamp, payload)).join(" ");
  process.stdout.write(JSON.stringify({
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": signature,
  }));
});
