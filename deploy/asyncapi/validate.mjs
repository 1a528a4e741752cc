// Validates AsyncAPI documents with the official parser, which resolves the payloads' `$ref`s to the
// schema files beside each document and checks them too. Exits 1 on any error or warning, so that CI
// stops on a document other teams' tools would reject; informational notes are printed only.
// Usage: node validate.mjs DOCUMENT...
import parserModule from '@asyncapi/parser';

const { Parser, fromFile, DiagnosticSeverity } = parserModule;
const SEVERITY_NAMES = ['error', 'warning', 'info', 'hint'];

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error('usage: node validate.mjs DOCUMENT...');
  process.exit(2);
}
const parser = new Parser();
let failed = false;
for (const path of paths) {
  const { document, diagnostics } = await fromFile(parser, path).parse();
  const blocking = diagnostics.filter((d) => d.severity <= DiagnosticSeverity.Warning);
  for (const d of diagnostics) {
    const where = d.path.length ? d.path.join('.') : '(document)';
    console.log(`${path}: ${SEVERITY_NAMES[d.severity] ?? d.severity} ${d.code} at ${where}: ${d.message}`);
  }
  if (!document || blocking.length > 0) {
    failed = true;
    console.error(`${path}: INVALID (${blocking.length} error(s) or warning(s))`);
  } else {
    const channels = document.channels().length;
    const operations = document.operations().length;
    console.log(`${path}: valid AsyncAPI ${document.version()} (${channels} channels, ${operations} operations)`);
  }
}
process.exit(failed ? 1 : 0);
