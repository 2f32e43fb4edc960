/** A one-line download progress bar on stderr, drawn only on a TTY (logs and CI stay clean). */
export class ProgressLine {
  private done = 0;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly enabled: boolean = Boolean(process.stderr.isTTY),
    initial = 0,
  ) {
    this.done = initial;
  }

  add(bytes: number): void {
    this.done += bytes;
    const now = Date.now();
    if (this.enabled && now - this.lastDraw > 100) {
      this.lastDraw = now;
      this.draw();
    }
  }

  finish(): void {
    if (!this.enabled) return;
    this.draw();
    process.stderr.write("\n");
  }

  private draw(): void {
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const secs = Math.max((Date.now() - this.started) / 1000, 1e-3);
    const width = 24;
    const frac = this.total ? Math.min(1, this.done / this.total) : 0;
    const bar = this.total ? `[${"#".repeat(Math.round(frac * width)).padEnd(width, ".")}] ` : "";
    const of = this.total ? `/${mb(this.total)}` : "";
    process.stderr.write(`\r${this.label} ${bar}${mb(this.done)}${of} MB ${mb(this.done / secs)} MB/s\x1b[K`);
  }
}
