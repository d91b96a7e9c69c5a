/**
 * Files refused because another manifest (a SparkJob, a ScheduledSparkJob or one of its runs)
 * held their `metadata.name`. Such a file's content does not change when the holder goes, so
 * nothing would look at it again: when the name is freed (its job released and forgotten, its
 * schedule removed), every file waiting for it is reconciled again, and the first to claim it wins.
 */
export class NameWaiters {
  private readonly waiting = new Map<string, Set<string>>();

  /** `again`: forget what was last seen in a file and queue it. */
  constructor(private readonly again: (file: string) => void) {}

  /** `file` was refused because `name` is held elsewhere. */
  wait(name: string, file: string): void {
    let files = this.waiting.get(name);
    if (!files) this.waiting.set(name, (files = new Set()));
    files.add(file);
  }

  /** `name` is free: every file refused for it is looked at again (one that names something else now just reconciles). */
  freed(name: string): void {
    const files = this.waiting.get(name);
    if (!files) return;
    this.waiting.delete(name);
    for (const file of files) this.again(file);
  }
}
