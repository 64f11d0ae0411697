import type { StarterPrompt } from "../settings";
import { h } from "../util/dom";

/** What the start screen shows: the `greeting` and `prompts` traits, and the offline hint. */
export interface StartScreenContent {
  /** "" shows the built-in heading. */
  greeting: string;
  prompts: readonly StarterPrompt[];
  offline: boolean;
}

export const DEFAULT_GREETING = "Ask anything.";
const OFFLINE_HINT = "Try: add a task: buy milk · list tasks · complete task buy milk";

/** The empty thread's screen: a greeting and starter prompts that send themselves. */
export class StartScreen {
  readonly el = h("div", { class: "ckw-start" });
  private content: StartScreenContent = { greeting: "", prompts: [], offline: false };

  constructor(private readonly onPrompt: (prompt: string) => void) {
    this.render();
  }

  update(content: Partial<StartScreenContent>): void {
    this.content = { ...this.content, ...content };
    this.render();
  }

  private render(): void {
    const { greeting, prompts, offline } = this.content;
    const heading = h("div", { class: "ckw-greeting" }, greeting.trim() || DEFAULT_GREETING);
    const children: HTMLElement[] = [heading];
    const usable = prompts.filter((p) => p.prompt.trim());
    if (usable.length) {
      const list = h("div", {
        class: "ckw-prompts",
        role: "group",
        "aria-label": "Starter prompts",
      });
      for (const { label, prompt } of usable) {
        const button = h(
          "button",
          { type: "button", class: "ckw-prompt", title: label === prompt ? undefined : prompt },
          label || prompt,
        );
        button.addEventListener("click", () => this.onPrompt(prompt));
        list.append(button);
      }
      children.push(list);
    } else if (offline) {
      // Prompts from Python replace the demo hint: they already say what to try.
      children.push(h("div", { class: "ckw-empty-hint" }, OFFLINE_HINT));
    }
    this.el.replaceChildren(...children);
  }
}
