/**
 * The git layer: running git non-interactively, URL rewriting, cloning at a
 * branch/tag/commit, and inspecting remotes and working copies.
 *
 * @module
 */

export { git, gitError, withBaseEnv, withGitEnv } from "./run.ts";
export type { GitOptions, GitResult } from "./run.ts";
export { effectiveGitUrl, parseGithubUrl, toSshUrl } from "./url.ts";
export type { GithubRepo } from "./url.ts";
export { cloneRepo } from "./clone.ts";
export type { CloneOptions, CloneResult, CloneSpec } from "./clone.ts";
export {
  currentBranch,
  exactTag,
  fastForward,
  headCommit,
  isDirty,
  remoteUrl,
  resolveRemoteRef,
  workingStatus,
} from "./inspect.ts";
export type { FastForwardResult, ResolveRefOptions, WorkingStatus } from "./inspect.ts";
