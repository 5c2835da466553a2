import { code } from "./define.js";

/** The Actions runner's protocol: the Action's inputs, the job's variables and files (LXM6030–6049). */

export const badInput = code(
  "LXM6030",
  "bad Action input",
  "An input of the Lexum Action (`with:` in the workflow) holds a value it does not accept: the message names the input, the value and the values allowed.",
  (input: string, value: string, allowed: string) => ({ message: `input ${input}: ${JSON.stringify(value)} is not ${allowed}`, hint: `set ${input} to ${allowed} in the step's with: block, or leave it out for its default` }),
);

export const notInActionsJob = code(
  "LXM6031",
  "not in a GitHub Actions job",
  "The variables the Actions runner sets in every job (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_RUN_ID) are missing: the Action runs as a step of a GitHub Actions job, not on its own.",
  (missing: readonly string[]) => ({
    message: `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set: the Lexum Action runs inside a GitHub Actions job`,
    hint: "use it as a step (uses: …) of a workflow job; the runner sets these variables",
  }),
);

export const badEventPayload = code(
  "LXM6032",
  "unreadable event payload",
  "The event payload file the runner names in GITHUB_EVENT_PATH could not be read or is not a JSON object.",
  (file: string, cause: string) => ({ message: `cannot read the event payload ${file}: ${cause}`, hint: "GITHUB_EVENT_PATH must name the JSON file the runner wrote for the event" }),
);

export const badRunnerVariable = code(
  "LXM6033",
  "malformed runner variable",
  "A variable the Actions runner sets (GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, …) does not have the form the runner gives it.",
  (name: string, value: string, expected: string) => ({ message: `${name}=${JSON.stringify(value)} is not ${expected}`, hint: "leave the runner's own variables as it sets them" }),
);

export const runnerFileFailed = code(
  "LXM6034",
  "runner file not writable",
  "Writing a step output (GITHUB_OUTPUT) or the job summary (GITHUB_STEP_SUMMARY) failed: the file the runner named could not be appended to.",
  (variable: string, file: string, cause: string) => ({ message: `cannot append to ${variable} (${file}): ${cause}`, hint: "the runner creates this file for each step; do not change or remove it in the workflow" }),
);
