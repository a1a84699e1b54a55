import { describe, expect, test, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import ParamsEditor from "./ParamsEditor.svelte";
import type { ColumnSpec, ModelParams } from "../ipc/client";

const none: ModelParams = {
  temperature: null,
  max_tokens: null,
  reasoning_effort: null,
  system: null,
};

function editor(params: Partial<ModelParams> = {}, openrouter = false) {
  const spec: ColumnSpec = {
    provider: "openrouter",
    model: "openai/gpt-4o-mini",
    params: { ...none, ...params },
  };
  const onapply = vi.fn<(p: ModelParams) => void>();
  const oncancel = vi.fn();
  render(ParamsEditor, {
    props: { spec, supportsReasoning: false, openrouter, onapply, oncancel },
  });
  return { onapply, oncancel };
}

// `bind:value` on a number input yields a number; the editor used to call `.trim()` on it and
// threw, so Apply did nothing.
describe("column parameters", () => {
  test("a typed temperature and max tokens are applied as numbers", async () => {
    const { onapply } = editor();
    await fireEvent.input(screen.getByLabelText("Temperature"), { target: { value: "0.5" } });
    await fireEvent.input(screen.getByLabelText("Max tokens"), { target: { value: "200" } });
    await fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(onapply).toHaveBeenCalledTimes(1);
    expect(onapply.mock.calls[0]?.[0]).toMatchObject({ temperature: 0.5, max_tokens: 200 });
  });

  test("clearing a value sends the provider's default", async () => {
    const { onapply } = editor({ temperature: 0.7, max_tokens: 100 });
    await fireEvent.input(screen.getByLabelText("Temperature"), { target: { value: "" } });
    await fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(onapply.mock.calls[0]?.[0]).toMatchObject({ temperature: null, max_tokens: 100 });
  });

  test("out-of-range values are refused with a hint and Apply stays disabled", async () => {
    const { onapply } = editor();
    await fireEvent.input(screen.getByLabelText("Temperature"), { target: { value: "3" } });
    expect(screen.getByText("0 to 2")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Apply" })).toBeDisabled();
    await fireEvent.input(screen.getByLabelText("Max tokens"), { target: { value: "1.5" } });
    expect(screen.getByText("a whole number above 0")).toBeInTheDocument();
    expect(onapply).not.toHaveBeenCalled();
  });

  test("an OpenRouter column orders providers and caps prices, the prices kept as typed", async () => {
    const { onapply } = editor({}, true);
    await fireEvent.change(screen.getByLabelText("Order providers by"), {
      target: { value: "throughput" },
    });
    await fireEvent.input(screen.getByLabelText("Max input price, $ per million tokens"), {
      target: { value: "1.25" },
    });
    await fireEvent.input(screen.getByLabelText("Max output price, $ per million tokens"), {
      target: { value: "5.10" },
    });
    await fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(onapply.mock.calls[0]?.[0].openrouter).toEqual({
      sort: "throughput",
      maxPrice: { prompt: "1.25", completion: "5.10" },
    });
  });

  test("a price that is not a dollar amount is refused; clearing everything sends nothing", async () => {
    const { onapply } = editor(
      { openrouter: { sort: "price", maxPrice: { prompt: "2", completion: null } } },
      true,
    );
    const input = screen.getByLabelText("Max input price, $ per million tokens");
    await fireEvent.input(input, { target: { value: "2,5" } });
    expect(screen.getByText("a dollar amount such as 2.50")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Apply" })).toBeDisabled();
    await fireEvent.input(input, { target: { value: "" } });
    await fireEvent.change(screen.getByLabelText("Order providers by"), { target: { value: "" } });
    await fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(onapply.mock.calls[0]?.[0].openrouter).toBeNull();
  });

  test("another provider's column has no OpenRouter fields and keeps what it had", async () => {
    const kept = { sort: "latency" as const };
    const { onapply } = editor({ openrouter: kept });
    expect(screen.queryByLabelText("Order providers by")).not.toBeInTheDocument();
    await fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(onapply.mock.calls[0]?.[0].openrouter).toEqual(kept);
  });
});
