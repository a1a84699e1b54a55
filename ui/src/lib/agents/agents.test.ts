import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import AgentsView from "./AgentsView.svelte";
import { AgentsState } from "./agents.svelte";
import type { AgentEvent, AgentSpec } from "../ipc/client";
import { blankSpec, editTarget, newStage, toDraft, toSpec } from "./draft";
import { FakeAgentsApi, report, runError, spec, step, templates, type ScriptItem } from "./testing";
import { TraceState } from "./trace.svelte";

async function setup(fake = new FakeAgentsApi()) {
  const agentsScreen = new AgentsState(fake);
  render(AgentsView, { agentsScreen });
  await waitFor(() => expect(agentsScreen.templates).toHaveLength(5));
  return { fake, agentsScreen };
}

async function openAgent(name: string): Promise<void> {
  await fireEvent.click(await screen.findByText(name, { selector: "strong" }));
  await screen.findByLabelText("Edit agent " + name);
}

describe("draft", () => {
  it("round-trips a spec, keeping what the editor does not show", () => {
    const s = spec({
      params: { temperature: 0.3, max_tokens: 500, reasoning_effort: "high" },
      tools: [
        { kind: "calculator" },
        { kind: "read_files", root: "/src" },
        { kind: "http_get", hosts: ["docs.rs", "example.com:8080"], any_public_host: true },
        { kind: "mcp", server: "fs" },
      ],
      budget_usd: "0.25",
      plan: {
        kind: "staged",
        stages: [
          {
            name: "draft",
            instruction: "Write it.",
            target: { kind: "route", route: "cheap" },
            fallback: { kind: "model", provider: "openai", model: "gpt-4o" },
          },
        ],
      },
      output_schema: { type: "object" },
    });
    const back = toSpec(toDraft(s));
    expect(back).toEqual({ spec: s });
  });

  it("keeps http_get's any-public-host opt-in, off for grants saved before it existed", () => {
    const legacy = toDraft(spec({ tools: [{ kind: "http_get", hosts: [] }] }));
    expect(legacy.httpAnyPublic).toBe(false);
    const built = toSpec(legacy);
    expect("spec" in built && built.spec.tools).toEqual([
      { kind: "http_get", hosts: [], any_public_host: false },
    ]);
    legacy.httpAnyPublic = true;
    legacy.httpHosts = "docs.rs, 10.0.0.5:8080";
    const open = toSpec(legacy);
    expect("spec" in open && open.spec.tools).toEqual([
      { kind: "http_get", hosts: ["docs.rs", "10.0.0.5:8080"], any_public_host: true },
    ]);
  });

  it("builds a cost-aware plan and refuses a budget that is not money", () => {
    const d = toDraft(blankSpec());
    d.plan = "cost_aware";
    d.candidates = [toDraft(spec({ target: { kind: "route", route: "cheap" } })).target].map(
      (target) => ({ key: target.key, target }),
    );
    d.qualityBar = 0.8;
    const built = toSpec(d);
    expect("spec" in built && built.spec.plan).toEqual({
      kind: "cost_aware",
      candidates: [{ kind: "route", route: "cheap" }],
      quality_bar: 0.8,
    });
    d.budget = "five dollars";
    expect(toSpec(d)).toEqual({ error: expect.stringContaining("per-task budget") });
    d.budget = "$0.50";
    expect(
      "spec" in toSpec(d) && (toSpec(d) as { spec: { budget_usd: string } }).spec.budget_usd,
    ).toBe("0.50");
  });

  it("edits stage fallbacks, reasoning effort and the summarizing model", () => {
    const d = toDraft(blankSpec());
    d.plan = "staged";
    const stage = newStage("draft");
    stage.target = { ...stage.target, provider: "openrouter", model: "cheap/one" };
    stage.fallback = { ...editTarget(), kind: "route", route: "strong" };
    d.stages = [stage];
    d.reasoning_effort = "high";
    const built = toSpec(d);
    if (!("spec" in built)) throw new Error(built.error);
    expect(built.spec.params?.reasoning_effort).toBe("high");
    expect(built.spec.plan).toEqual({
      kind: "staged",
      stages: [
        {
          name: "draft",
          instruction: "",
          target: { kind: "model", provider: "openrouter", model: "cheap/one" },
          fallback: { kind: "route", route: "strong" },
        },
      ],
    });
    const again = toDraft(built.spec);
    expect(again.summarizeWith).toBeNull();
    again.summarizeWith = { ...editTarget(), provider: "openrouter", model: "cheap/one" };
    const withSummary = toSpec(again);
    if (!("spec" in withSummary)) throw new Error(withSummary.error);
    expect(withSummary.spec.memory?.summarize_with).toEqual({
      kind: "model",
      provider: "openrouter",
      model: "cheap/one",
    });
    expect(again.stages[0]?.fallback?.route).toBe("strong");
    expect(again.reasoning_effort).toBe("high");
  });

  it("edits the output schema as JSON text and refuses text that is not JSON", () => {
    const d = toDraft(blankSpec());
    expect(d.outputSchema).toBe("");
    d.outputSchema = '{"type": "object", "required": ["name"]}';
    const built = toSpec(d);
    expect("spec" in built && built.spec.output_schema).toEqual({
      type: "object",
      required: ["name"],
    });
    d.outputSchema = "{type: object";
    expect(toSpec(d)).toEqual({ error: expect.stringContaining("output schema is not JSON") });
    d.outputSchema = "  ";
    expect("spec" in toSpec(d) && (toSpec(d) as { spec: AgentSpec }).spec.output_schema).toBe(null);
  });
});

describe("trace", () => {
  it("streams text into the running step and takes the report's steps at the end", () => {
    const t = new TraceState("Task");
    const events: AgentEvent[] = [
      { type: "started", run_id: "r1" },
      { type: "step_started", index: 0, kind: "model", label: "openai/gpt-4o-mini" },
      { type: "delta", index: 0, text: "Hel" },
      { type: "delta", index: 0, text: "lo" },
    ];
    events.forEach((e) => t.apply(e));
    expect(t.runId).toBe("r1");
    expect(t.steps[0]?.text).toBe("Hello");
    expect(t.steps[0]?.step).toBeNull();
    t.apply({ type: "waiting", ms: 2000, reason: "rate limit" });
    expect(t.waiting).toEqual({ ms: 2000, reason: "rate limit" });
    const done = step({ detail: "Hello" });
    t.apply({ type: "step_finished", index: 0, step: done });
    expect(t.waiting).toBeNull();
    t.apply({ type: "finished", report: report({ result: "Hello", steps: [done] }) });
    expect(t.status).toBe("done");
    expect(t.steps[0]?.step).toEqual(done);
  });

  it("calls a run with an error stopped when the user stopped it, failed otherwise", () => {
    const stopped = new TraceState("a");
    stopped.stopping = true;
    stopped.finish(report({ error: runError("stopped by the user", "cancelled") }));
    expect(stopped.status).toBe("stopped");
    const failed = new TraceState("b");
    failed.finish(report({ error: runError("the budget of $0.05 is spent", "budget_exceeded") }));
    expect(failed.status).toBe("failed");
  });
});

describe("Agents screen", () => {
  it("lists the five templates with their blurbs and creates an agent from one", async () => {
    const { fake } = await setup();
    await fireEvent.click(screen.getByText("New agent", { selector: "button" }));
    const picker = screen.getByLabelText("New agent");
    for (const t of templates()) expect(within(picker).getByText(t.blurb)).toBeInTheDocument();
    expect(within(picker).getByText("Blank agent")).toBeInTheDocument();

    await fireEvent.click(within(picker).getByText("Translator"));
    const name = screen.getByLabelText("Name", {
      selector: "[data-testid=agent-name]",
    }) as HTMLInputElement;
    expect(name.value).toBe("translator");
    expect((screen.getByLabelText("System prompt") as HTMLTextAreaElement).value).toBe(
      "You are a translator.",
    );
    expect((screen.getByLabelText("Budget per task (USD)") as HTMLInputElement).value).toBe("0.05");
    await fireEvent.input(name, { target: { value: "fr" } });
    await fireEvent.click(screen.getByLabelText("Calculator (arithmetic)"));
    await fireEvent.click(screen.getByText("Create agent"));

    await waitFor(() => expect(fake.saved).toHaveLength(1));
    const saved = fake.saved[0];
    expect(saved?.previous).toBeNull();
    expect(saved?.spec).toMatchObject({
      name: "fr",
      template: "translator",
      task_type: "translate",
      budget_usd: "0.05",
      tools: [{ kind: "calculator" }],
      plan: { kind: "single" },
      target: { kind: "model", provider: "openrouter", model: "openai/gpt-4o-mini" },
    });
    await screen.findByText("Saved.");
    expect(screen.getByLabelText("Edit agent fr")).toBeInTheDocument();
    expect(screen.getByText("fr", { selector: "strong" })).toBeInTheDocument();
  });

  it("shows Rust's validation error inline and keeps the draft", async () => {
    const fake = new FakeAgentsApi();
    fake.agents = [spec({ name: "helper" })];
    await setup(fake);
    await openAgent("helper");
    fake.refuseSave = 'no MCP server is named "fs"; add it under MCP servers first';
    await fireEvent.click(screen.getByText("Save agent"));
    const alert = await screen.findByText(/no MCP server is named "fs"/);
    expect(alert).toHaveAttribute("role", "alert");
    expect(fake.saved[0]?.previous).toBe("helper");
    // The budget is checked before Rust is asked.
    await fireEvent.input(screen.getByLabelText("Budget per task (USD)"), {
      target: { value: "lots" },
    });
    await fireEvent.click(screen.getByText("Save agent"));
    await screen.findByText(/per-task budget is an amount in USD/);
    expect(fake.saved).toHaveLength(1);
  });

  it("switches the plan to stages and saves them with their models", async () => {
    const fake = new FakeAgentsApi();
    fake.agents = [spec({ name: "helper" })];
    await setup(fake);
    await openAgent("helper");
    await fireEvent.change(screen.getByLabelText("How it uses models"), {
      target: { value: "staged" },
    });
    expect(screen.getAllByText("Stage name")).toHaveLength(2);
    await fireEvent.input(screen.getByLabelText("Stage 2 model: model id"), {
      target: { value: "anthropic/claude-sonnet-4" },
    });
    await fireEvent.input(screen.getByLabelText("Stage 1 model: model id"), {
      target: { value: "openai/gpt-4o-mini" },
    });
    await fireEvent.click(screen.getByText("Save agent"));
    await waitFor(() => expect(fake.saved).toHaveLength(1));
    expect(fake.saved[0]?.spec.plan).toEqual({
      kind: "staged",
      stages: [
        {
          name: "draft",
          instruction: "",
          target: { kind: "model", provider: "openrouter", model: "openai/gpt-4o-mini" },
          fallback: null,
        },
        {
          name: "review",
          instruction: "",
          target: { kind: "model", provider: "openrouter", model: "anthropic/claude-sonnet-4" },
          fallback: null,
        },
      ],
    });
  });

  it("deletes only after a confirmation", async () => {
    const fake = new FakeAgentsApi();
    fake.agents = [spec({ name: "helper" })];
    await setup(fake);
    await openAgent("helper");
    await fireEvent.click(screen.getByText("Delete…"));
    expect(fake.agents).toHaveLength(1);
    await fireEvent.click(screen.getByText("Delete"));
    await waitFor(() => expect(fake.agents).toHaveLength(0));
    await screen.findByText("No agents yet.");
  });

  it("pins facts and forgets the conversation", async () => {
    const fake = new FakeAgentsApi();
    fake.agents = [spec({ name: "helper" })];
    fake.memories.set("helper", {
      pinned: ["Use metric units"],
      summary: "They talked about trains.",
      turns: [{ role: "user", text: "hi", tokens: 1 }],
    });
    await setup(fake);
    await openAgent("helper");
    expect(screen.getByText("Use metric units")).toBeInTheDocument();
    await fireEvent.input(screen.getByLabelText("Pinned fact"), {
      target: { value: "Answer briefly" },
    });
    await fireEvent.click(screen.getByText("Pin"));
    await screen.findByText("Answer briefly");
    expect(fake.memorySaves.at(-1)?.memory.pinned).toEqual(["Use metric units", "Answer briefly"]);
    await fireEvent.click(screen.getByText("Forget conversation"));
    await waitFor(() =>
      expect(fake.memorySaves.at(-1)?.memory).toEqual({
        pinned: ["Use metric units", "Answer briefly"],
        summary: null,
        turns: [],
      }),
    );
    await fireEvent.click(screen.getByLabelText("Unpin “Use metric units”"));
    await waitFor(() => expect(fake.memorySaves.at(-1)?.memory.pinned).toEqual(["Answer briefly"]));
  });

  it("adds and deletes MCP servers, and offers them as tools", async () => {
    const fake = new FakeAgentsApi();
    fake.agents = [spec({ name: "helper" })];
    await setup(fake);
    await fireEvent.input(screen.getByLabelText("Name", { selector: "[data-testid=mcp-name]" }), {
      target: { value: "fs" },
    });
    await fireEvent.input(screen.getByLabelText("Command"), { target: { value: "npx" } });
    await fireEvent.input(screen.getByLabelText("Arguments (space-separated)"), {
      target: { value: "-y  server-fs /tmp" },
    });
    await fireEvent.input(screen.getByLabelText(/^Trusted tools/), {
      target: { value: "read_file, list_directory" },
    });
    const envInput = screen.getByLabelText(/^Environment/);
    await fireEvent.input(envInput, { target: { value: "no equals sign" } });
    await fireEvent.click(screen.getByText("Add server"));
    expect(screen.getByRole("alert")).toHaveTextContent("NAME=value");
    expect(fake.serverSaves).toEqual([]);
    await fireEvent.input(envInput, {
      target: { value: "GITHUB_TOKEN=ghp_0123456789abcd\n\nMODE=a=b" },
    });
    const timeout = screen.getByTestId("mcp-timeout");
    await fireEvent.input(timeout, { target: { value: "ten" } });
    await fireEvent.click(screen.getByText("Add server"));
    expect(screen.getByRole("alert")).toHaveTextContent("whole number of seconds");
    expect(fake.servers_).toEqual([]);
    await fireEvent.input(timeout, { target: { value: "600" } });
    await fireEvent.click(screen.getByText("Add server"));
    await waitFor(() =>
      expect(fake.serverSaves).toEqual([
        {
          name: "fs",
          command: "npx",
          args: ["-y", "server-fs", "/tmp"],
          env: [
            { name: "GITHUB_TOKEN", value: "ghp_0123456789abcd" },
            { name: "MODE", value: "a=b" },
          ],
          trusted_tools: ["read_file", "list_directory"],
          call_timeout_secs: 600,
        },
      ]),
    );
    expect(screen.getByText("calls time out after 600 s")).toBeInTheDocument();
    // The listing shows the names and masks only; the value is not kept in the form either.
    expect(screen.getByTestId("mcp-env")).toHaveTextContent(
      "env: GITHUB_TOKEN ••••abcd, MODE ••••",
    );
    expect(document.body.innerHTML).not.toContain("ghp_0123456789abcd");
    await waitFor(() => expect(timeout).toHaveValue(""));
    await openAgent("helper");
    expect(screen.getByText("fs", { selector: "label" })).toBeInTheDocument();
    await fireEvent.click(screen.getByLabelText("Delete MCP server fs"));
    await fireEvent.click(
      screen.getByText("Delete", { selector: "[data-testid=mcp-delete-confirm]" }),
    );
    await waitFor(() => expect(fake.servers_).toEqual([]));
  });

  it("runs a task: streams, asks for approval, and shows a failure with what was done", async () => {
    const fake = new FakeAgentsApi();
    fake.agents = [spec({ name: "helper" })];
    const model0 = step({ detail: "I will fetch it.", cost_usd: "0.0001", tokens: 120 });
    const tool = step({
      kind: "tool",
      model: null,
      tool: "http_get",
      cost_usd: "0",
      tokens: 0,
      ms: 40,
      detail: 'http_get {"url":"https://example.com"} → 404',
      error: "HTTP 404",
    });
    const model1 = step({ cost_usd: "0.00025", tokens: 80, error: "budget spent" });
    const script: ScriptItem[] = [
      { type: "started", run_id: "run-1" },
      { type: "step_started", index: 0, kind: "model", label: "openai/gpt-4o-mini" },
      { type: "delta", index: 0, text: "<img src=x onerror=alert(1)> I will" },
      { type: "delta", index: 0, text: " fetch it." },
      { type: "await_approval", call_id: "pause-for-the-stream" },
      { type: "step_finished", index: 0, step: model0 },
      {
        type: "approval",
        call_id: "call-1",
        tool: "http_get",
        args: { url: "https://example.com" },
      },
      { type: "await_approval", call_id: "call-1" },
      { type: "step_started", index: 1, kind: "tool", label: "http_get" },
      { type: "step_finished", index: 1, step: tool },
      { type: "waiting", ms: 3000, reason: "rate limit on openrouter" },
      { type: "await_approval", call_id: "pause-while-waiting" },
      { type: "step_started", index: 2, kind: "model", label: "openai/gpt-4o-mini" },
      { type: "step_finished", index: 2, step: model1 },
    ];
    const final = report({
      result: "I will fetch it.",
      cost_usd: "0.00035",
      tokens: 200,
      steps: [model0, tool, model1],
      error: runError("the task's budget of $0.0003 is spent", "budget_exceeded"),
    });
    fake.script = [...script, { type: "finished", report: final }];
    fake.finalReport = final;
    const { agentsScreen } = await setup(fake);
    await openAgent("helper");

    await fireEvent.input(screen.getByLabelText("Title"), { target: { value: "Fetch" } });
    await fireEvent.input(screen.getByLabelText("What to do"), {
      target: { value: "Fetch example.com" },
    });
    await fireEvent.click(screen.getByText("Add input"));
    await fireEvent.input(screen.getByLabelText("Input 1 name"), { target: { value: "url" } });
    await fireEvent.input(screen.getByLabelText("Input 1 value"), {
      target: { value: "https://example.com" },
    });
    await fireEvent.click(screen.getByText("Run"));

    // Streaming: the model's text, as text.
    const stream = await screen.findByText(/I will fetch it\./, { selector: "pre" });
    expect(stream.textContent).toBe("<img src=x onerror=alert(1)> I will fetch it.");
    expect(screen.getByTestId("trace").querySelector("img")).toBeNull();
    expect(screen.getByText("Stop")).toBeInTheDocument();
    expect(fake.tasks).toEqual([
      { title: "Fetch", description: "Fetch example.com", inputs: { url: "https://example.com" } },
    ]);
    await fake.approve("pause-for-the-stream", true);

    // The approval: tool and pretty JSON, then Allow.
    const allow = await screen.findByLabelText("Allow http_get");
    expect(screen.getByTestId("approval-args").textContent).toBe(
      '{\n  "url": "https://example.com"\n}',
    );
    await fireEvent.click(allow);
    expect(fake.approvals).toContainEqual({ callId: "call-1", approve: true });
    await screen.findByText("Allowed");

    // Waiting notice.
    await screen.findByText("Waiting 3 s: rate limit on openrouter");
    await fake.approve("pause-while-waiting", true);

    // The end: the error, what was done, and the totals.
    const failure = await screen.findByText(/Did not finish: the task's budget/);
    expect(failure).toHaveAttribute("role", "alert");
    expect(screen.getByText("HTTP 404")).toBeInTheDocument();
    expect(screen.getByText("budget spent")).toBeInTheDocument();
    expect(screen.getAllByTestId("trace-step").map((s) => s.dataset.kind)).toEqual([
      "model",
      "tool",
      "model",
    ]);
    expect(screen.getByText("Total $0.00035")).toBeInTheDocument();
    expect(screen.getByText("200 tokens")).toBeInTheDocument();
    expect(screen.getByText("3 steps")).toBeInTheDocument();
    expect(screen.getByText("$0.00025")).toBeInTheDocument();
    expect(screen.getByText("Run")).toBeInTheDocument();

    // The past runs list has it, with its badge; clicking shows its report.
    const past = await screen.findByTestId("past-runs");
    await waitFor(() => expect(within(past).getByText("Failed")).toBeInTheDocument());
    agentsScreen.trace = null;
    await fireEvent.click(within(past).getByText("Fetch"));
    await screen.findByText(/Did not finish: the task's budget/);
  });

  it("stops a run, also when Stop comes before the run's id", async () => {
    const fake = new FakeAgentsApi();
    fake.agents = [spec({ name: "helper" })];
    const final = report({ error: runError("stopped by the user", "cancelled"), steps: [step()] });
    fake.script = [
      { type: "await_approval", call_id: "before-start" },
      { type: "started", run_id: "run-9" },
      { type: "await_approval", call_id: "after-stop" },
      { type: "finished", report: final },
    ];
    fake.finalReport = final;
    const { agentsScreen } = await setup(fake);
    await openAgent("helper");
    await fireEvent.input(screen.getByLabelText("What to do"), { target: { value: "Go" } });
    await fireEvent.click(screen.getByText("Run"));
    await fireEvent.click(await screen.findByText("Stop"));
    expect(fake.stops).toEqual([]);
    await fake.approve("before-start", true);
    await waitFor(() => expect(fake.stops).toEqual(["run-9"]));
    await fake.approve("after-stop", true);
    await screen.findByText(/Stopped: stopped by the user/);
    expect(agentsScreen.trace?.status).toBe("stopped");
  });

  it("shows past runs with their status badges", async () => {
    const fake = new FakeAgentsApi();
    fake.agents = [spec({ name: "helper" })];
    const statuses = ["done", "failed", "stopped", "interrupted", "running"] as const;
    fake.pastRuns = statuses.map((status, i) => ({
      id: `r${i}`,
      agent: "helper",
      task: { title: `Task ${i}` },
      report: report({ result: `Result ${i}`, cost_usd: "0.001" }),
      status,
      started_ms: 0,
      finished_ms: null,
    }));
    await setup(fake);
    await openAgent("helper");
    const past = await screen.findByTestId("past-runs");
    for (const label of ["Done", "Failed", "Stopped", "Interrupted", "Running"]) {
      expect(within(past).getByText(label)).toBeInTheDocument();
    }
    await fireEvent.click(within(past).getByText("Task 3"));
    await screen.findByText("Result 3");
    expect(within(screen.getByTestId("trace")).getByText("Interrupted")).toBeInTheDocument();
  });
});
