/**
 * The shared package cache: where it is ({@linkcode resolveCacheDir}), how
 * entries are stored and linked ({@linkcode PackageCache}), the cross-process
 * lock both use ({@linkcode acquireLock}), and `ivpm cache init|info|clean`
 * ({@linkcode initCache}, {@linkcode cacheInfo}, {@linkcode cleanCache}).
 *
 * @module
 */

export { defaultSiteCacheDir, type EnvReader, resolveCacheDir, type ResolveCacheDirOptions } from "./dir.ts";
export {
  acquireLock,
  type AcquireLockOptions,
  describeHolder,
  type FileLock,
  LockBusyError,
  type LockHolder,
  readHolder,
} from "./file_lock.ts";
export {
  cacheNamespace,
  type EnsureOptions,
  type EnsureResult,
  ghReleaseCacheKey,
  gitCacheKey,
  httpCacheKey,
  makeTreeReadOnly,
  namespaceName,
  normaliseSourceUrl,
  PackageCache,
  PROJECTS_DIR,
  removeTree,
  sanitiseCacheKey,
} from "./store.ts";
export {
  type CacheEntryInfo,
  type CacheInfo,
  cacheInfo,
  type CachePackageInfo,
  type CacheVersionInfo,
  cleanCache,
  type CleanCacheOptions,
  type CleanCacheResult,
  formatSize,
  initCache,
  type InitCacheOptions,
  type InitCacheResult,
} from "./maintenance.ts";
