// Filtering the model browser as a query is typed, over a 450-model catalogue (more than
// OpenRouter lists): each keystroke recomputes the visible list. Run: `npm run bench -w ui`.
import { bench, describe } from "vitest";
import { ModelsState } from "./models.svelte";
import { FakeOpener, fakeApi, manyModels, sampleCatalogue } from "./testing";

const model = new ModelsState(
  fakeApi([...sampleCatalogue(), ...manyModels(450)]),
  new FakeOpener(),
);
await model.load();
const typed = ["m", "ma", "mak", "make", "maker", "maker1", "maker12", "maker12 model-4"];

describe("model browser, 450+ models", () => {
  bench("typing an 8-keystroke query, then clearing it (9 filter passes)", () => {
    for (const q of typed) {
      model.query = q;
      void model.visible.length;
    }
    model.query = "";
  });

  bench("sort change over the whole catalogue", () => {
    model.sort = model.sort === "input" ? "output" : "input";
    void model.visible.length;
  });
});
