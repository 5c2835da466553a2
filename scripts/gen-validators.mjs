// Regenerates src/program/validators.generated.ts from schemas/lexum.yaml.json,
// schemas/lxm-sync.yaml.json and
// schemas/providers/*.json. Run `npm run gen:validators`: it builds dist/ first, since the
// generator (src/program/validators-codegen.ts) is TypeScript.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GENERATED_VALIDATORS_PATH, renderValidatorsModule } from "../dist/program/validators-codegen.js";

const target = fileURLToPath(new URL("../" + GENERATED_VALIDATORS_PATH, import.meta.url));
writeFileSync(target, renderValidatorsModule());
console.log(`wrote ${GENERATED_VALIDATORS_PATH}`);
