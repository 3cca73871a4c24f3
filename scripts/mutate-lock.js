/**
 * One mutation run at a time per worktree (`scripts/mutate.js`). Two runs side by side each renumber every test id in
 * their report and rewrite every file they read from their copy of the baseline, so whichever ends last leaves the
 * other's files pointing at ids that now name other tests. The lock is a file holding the running process's pid,
 * created exclusively; a lock whose pid is no longer alive (a run killed with SIGKILL, a crashed machine) is taken over.
 */
const fs = require('node:fs');
const path = require('node:path');

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The pid a lock file names, or undefined when it is missing, empty or holds anything but a positive integer. */
function lockHolder(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const pid = /^\s*(\d+)\s*$/.exec(text)?.[1];
  return pid === undefined || Number(pid) <= 0 ? undefined : Number(pid);
}

function createExclusive(file, pid) {
  try {
    fs.writeFileSync(file, `${pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if (error.code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Takes the lock for `pid`. Returns `{ taken: true, staleFrom? }` (staleFrom: the dead pid whose lock was taken over)
 * or `{ taken: false, heldBy }` when a live process holds it. A lock file naming no pid (empty, garbage) counts as
 * stale: the run that wrote it died between creating and writing it, or it is not ours.
 */
function takeLock(file, pid, alive = isAlive) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (createExclusive(file, pid)) return { taken: true };
  const holder = lockHolder(file);
  if (holder !== undefined && holder !== pid && alive(holder)) return { taken: false, heldBy: holder };
  // Stale: replace it. A second run taking over the same stale lock at the same moment loses the exclusive create below
  // unless it removed the file between our remove and our create (two runs started within microseconds; not guarded).
  fs.rmSync(file, { force: true });
  if (createExclusive(file, pid)) return holder === undefined ? { taken: true, staleFrom: 'unreadable' } : { taken: true, staleFrom: holder };
  const winner = lockHolder(file);
  return { taken: false, heldBy: winner ?? 'unknown' };
}

/** Removes the lock if it is still this pid's (never another run's that took over a lock thought stale). */
function releaseLock(file, pid) {
  if (lockHolder(file) === pid) fs.rmSync(file, { force: true });
}

module.exports = { takeLock, releaseLock, lockHolder, isAlive };
