// Run Python code under the MicroPython WebAssembly port, with files placed in its /fw folder.
// usage: node run_micropython.mjs PACKAGE_DIR FILE.py... -- CODE
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const split = args.indexOf("--");
const [packageDir, ...files] = args.slice(0, split);
const code = args.slice(split + 1).join(" ");
const { loadMicroPython } = await import(pathToFileURL(join(packageDir, "micropython.mjs")).href);
const out = [];
const mp = await loadMicroPython({
  stdout: (line) => out.push(line),
  stderr: (line) => out.push(line),
});
mp.FS.mkdir("/fw");
for (const file of files) {
  mp.FS.writeFile(`/fw/${basename(file)}`, readFileSync(file, "utf8"));
}
let status = 0;
try {
  mp.runPython("import sys\nsys.path.insert(0, '/fw')\n" + code);
} catch (error) {
  out.push(String(error));
  status = 1;
}
process.stdout.write(out.join("\n") + "\n");
process.exit(status);
