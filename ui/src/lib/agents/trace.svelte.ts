/**
 * One run's trace as the screen shows it: built live from a run's events, or at once from a
 * past run's report. Model text is kept as plain text (it is untrusted).
 */
import type {
  AgentEvent,
  RunStatus,
  RunView,
  Step,
  StepKind,
  TaskReport,
  Value,
} from "../ipc/client";

// The generated type (Rust's `RunStatus`), re-exported for the screen's components.
export type { RunStatus };

export interface TraceStep {
  index: number;
  kind: StepKind;
  /** The model, route or tool, as the step started. */
  label: string;
  /** The streamed text of a running model step. */
  text: string;
  /** The finished step, with its cost; `null` while it runs. */
  step: Step | null;
}

export interface Approval {
  callId: string;
  tool: string;
  args: Value;
  /** `null` while waiting for the user; then what was answered. */
  answer: boolean | null;
}

export const STATUS_LABELS: Record<RunStatus, string> = {
  running: "Running",
  done: "Done",
  failed: "Failed",
  stopped: "Stopped",
  interrupted: "Interrupted",
};

export function asStatus(s: string): RunStatus {
  return s in STATUS_LABELS ? (s as RunStatus) : "failed";
}

export class TraceState {
  runId = $state<string | null>(null);
  title = $state("");
  status = $state<RunStatus>("running");
  steps = $state<TraceStep[]>([]);
  waiting = $state<{ ms: number; reason: string } | null>(null);
  approvals = $state<Approval[]>([]);
  report = $state<TaskReport | null>(null);
  /** The run could not start or the call failed (an `AppError`'s message). */
  error = $state<string | null>(null);
  /** The user asked to stop it. */
  stopping = $state(false);
  /** A past run (nothing streams into it). */
  readonly past: boolean;

  constructor(title: string, past = false) {
    this.title = title;
    this.past = past;
  }

  /** A past run's trace, from what its report holds. */
  static fromRun(run: RunView): TraceState {
    const t = new TraceState(run.task.title || run.task.description || "Task", true);
    t.runId = run.id;
    t.status = asStatus(run.status);
    if (run.report) t.setReport(run.report, t.status);
    return t;
  }

  get pending(): Approval[] {
    return this.approvals.filter((a) => a.answer === null);
  }

  get running(): boolean {
    return this.status === "running";
  }

  apply(event: AgentEvent): void {
    switch (event.type) {
      case "started":
        this.runId = event.run_id;
        break;
      case "step_started":
        this.waiting = null;
        this.steps[event.index] = {
          index: event.index,
          kind: event.kind,
          label: event.label,
          text: "",
          step: null,
        };
        break;
      case "delta": {
        this.waiting = null;
        const s = this.steps[event.index];
        if (s) s.text += event.text;
        break;
      }
      case "waiting":
        this.waiting = { ms: event.ms, reason: event.reason };
        break;
      case "step_finished": {
        this.waiting = null;
        const s = this.steps[event.index];
        if (s) s.step = event.step;
        else this.steps[event.index] = fromStep(event.step, event.index);
        break;
      }
      case "approval":
        this.approvals.push({
          callId: event.call_id,
          tool: event.tool,
          args: event.args,
          answer: null,
        });
        break;
      case "finished":
        this.finish(event.report);
        break;
    }
  }

  /** The run ended with this report (from `finished`, or the command's own answer). */
  finish(report: TaskReport): void {
    if (this.report && !this.running) return;
    const status: RunStatus = !report.error ? "done" : this.stopping ? "stopped" : "failed";
    this.setReport(report, status);
  }

  /** The command itself failed (the run never started, or the app lost it). */
  fail(message: string): void {
    this.error = message;
    this.waiting = null;
    if (this.running) this.status = "failed";
  }

  private setReport(report: TaskReport, status: RunStatus): void {
    this.report = report;
    this.status = status;
    this.waiting = null;
    // The report's steps are the truth; streamed ones fill in only what it lacks.
    const live = this.steps;
    this.steps = report.steps.map((step, index) => ({
      ...fromStep(step, index),
      text: live[index]?.text ?? "",
    }));
  }
}

function fromStep(step: Step, index: number): TraceStep {
  return {
    index,
    kind: step.kind,
    label: step.model ?? step.tool ?? step.kind,
    text: "",
    step,
  };
}
