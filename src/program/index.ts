export * from "./types.js";
export * from "./canonical.js";
