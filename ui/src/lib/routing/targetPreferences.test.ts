import { describe, expect, test } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { model } from "../shared/testing";
import type { EditTarget } from "./draft";
import TargetOptions from "./TargetOptions.svelte";
import { otherKeys, priceOk, readPreferences, writePreferences } from "./targetPreferences";

describe("a route target's OpenRouter preferences", () => {
  test("sort and max price are edited; every other key stays as written", () => {
    const written = { order: ["anthropic"], sort: "latency", max_price: { request: "0.01" } };
    expect(readPreferences(written)).toEqual({ sort: "latency", maxPrompt: "", maxCompletion: "" });
    expect(
      writePreferences(written, { sort: "price", maxPrompt: "1.5", maxCompletion: "" }),
    ).toEqual({
      order: ["anthropic"],
      sort: "price",
      max_price: { request: "0.01", prompt: "1.5" },
    });
    expect(
      writePreferences({ sort: "price" }, { sort: "", maxPrompt: "", maxCompletion: "" }),
    ).toBe(null);
    expect(otherKeys(written)).toEqual(["order"]);
  });

  test("the object form of sort and numeric prices are shown without being rewritten", () => {
    const written = { sort: { by: "price", partition: "none" }, max_price: { completion: 2 } };
    const shown = readPreferences(written);
    expect(shown).toEqual({ sort: "custom", maxPrompt: "", maxCompletion: "2" });
    expect(writePreferences(written, shown)).toEqual({
      sort: { by: "price", partition: "none" },
      max_price: { completion: "2" },
    });
  });

  test("prices are dollar amounts", () => {
    expect(priceOk("")).toBe(true);
    expect(priceOk("0.75")).toBe(true);
    expect(priceOk("-1")).toBe(false);
    expect(priceOk("1e3")).toBe(false);
  });

  test("an OpenRouter target's variant, order and price are set on the draft", async () => {
    const target: EditTarget = {
      key: 1,
      provider: "openrouter",
      model: "openai/gpt-4o-mini",
      weight: 1,
      max_concurrency: null,
      openrouter: { order: ["openai"] },
    };
    render(TargetOptions, {
      props: { target, models: [model({ id: "openai/gpt-4o-mini" })] },
    });
    await fireEvent.change(screen.getByTestId("target-variant"), { target: { value: "nitro" } });
    expect(target.model).toBe("openai/gpt-4o-mini:nitro");
    await fireEvent.change(screen.getByTestId("target-sort"), { target: { value: "price" } });
    await fireEvent.input(screen.getByLabelText(/^Max output price of /), {
      target: { value: "4" },
    });
    expect(target.openrouter).toEqual({
      order: ["openai"],
      sort: "price",
      max_price: { completion: "4" },
    });
    expect(screen.getByText("+ order")).toBeInTheDocument();
  });
});
