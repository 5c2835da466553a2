import { code } from "./define.js";
