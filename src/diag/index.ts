export * from "./span.js";
export * from "./source.js";
export * from "./diagnostic.js";
export * from "./render.js";
export * as catalog from "./catalog/index.js";
