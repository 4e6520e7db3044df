// Parses and validates an AsyncAPI document with the official parser (@asyncapi/parser), resolving its $refs:
// node validate.mjs <http(s) URL or file>. Prints every diagnostic as "<severity> <code> <path> <message>" and the
// verdict; exits 0 only when the document parsed with no error (severity 0).
import { Parser, fromFile, fromURL } from '@asyncapi/parser';

const source = process.argv[2];
if (!source) {
  console.error('usage: node validate.mjs <URL or file of an AsyncAPI document>');
  process.exit(2);
}
const parser = new Parser();
const input = /^https?:\/\//.test(source) ? fromURL(parser, source) : fromFile(parser, source);
const { document, diagnostics } = await input.parse();
const severities = ['error', 'warning', 'info', 'hint'];
for (const d of diagnostics) {
  console.log(`${severities[d.severity] ?? d.severity} ${d.code} ${JSON.stringify(d.path)} ${d.message}`);
}
const errors = diagnostics.filter((d) => d.severity === 0).length;
console.log(document && errors === 0 ? 'VALID AsyncAPI document' : `INVALID AsyncAPI document (${errors} errors)`);
process.exit(document && errors === 0 ? 0 : 1);
