// `node --test js/` (the Makefile's form) resolves the directory to this file on Node 22+,
// where positional arguments are globs rather than directories; so load every *.test.js here.
import { readdirSync } from "node:fs";

const here = new URL("./", import.meta.url);
for (const name of readdirSync(here).sort()) {
  if (name.endsWith(".test.js")) await import(new URL(name, here));
}
