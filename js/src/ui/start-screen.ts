import type { StarterPrompt } from "../settings";
import { h } from "../util/dom";

/** A conversation the start screen offers to go back to. */
export interface ResumeOffer {
  threadId: string;
  title: string;
}

/**
 * What the start screen shows: the `greeting` and `prompts` traits, whether the offline demo
 * model answers, and the latest conversation to continue (null: none offered).
 */
export interface StartScreenContent {
  /** "" shows the built-in heading. */
  greeting: string;
  prompts: readonly StarterPrompt[];
  offline: boolean;
  resume: ResumeOffer | null;
}

export interface StartScreenHandlers {
  /** A starter prompt was picked: send it. */
  prompt(prompt: string): void;
  /** "Continue: <title>" was picked: open that conversation. */
  resume(threadId: string): void;
}

export const DEFAULT_GREETING = "Ask anything.";
/** What the offline demo model understands, offered when Python gave no prompts. */
export const OFFLINE_PROMPTS: readonly StarterPrompt[] = [
  "add a task: buy milk",
  "list tasks",
  "show markdown",
  "think: why is the sky blue?",
].map((prompt) => ({ label: prompt, prompt }));

/**
 * The empty thread's screen: a greeting, starter prompts that send themselves, and "Continue:
 * <title>" for the latest conversation (re-running a cell gives a new chat: the last one is
 * a click away, not lost in History).
 */
export class StartScreen {
  readonly el = h("div", { class: "ckw-start" });
  private content: StartScreenContent = { greeting: "", prompts: [], offline: false, resume: null };

  constructor(private readonly handlers: StartScreenHandlers) {
    this.render();
  }

  update(content: Partial<StartScreenContent>): void {
    this.content = { ...this.content, ...content };
    this.render();
  }

  private render(): void {
    const { greeting, prompts, offline, resume } = this.content;
    const heading = h("div", { class: "ckw-greeting" }, greeting.trim() || DEFAULT_GREETING);
    const children: HTMLElement[] = [heading];
    if (resume) {
      const button = h(
        "button",
        {
          type: "button",
          class: "ckw-resume",
          title: resume.title,
          "aria-label": `Continue: ${resume.title}`,
        },
        h("span", { class: "ckw-resume-label" }, "Continue:"),
        h("span", { class: "ckw-resume-title" }, resume.title),
      );
      button.addEventListener("click", () => this.handlers.resume(resume.threadId));
      children.push(button);
    }
    // Prompts from Python replace the demo's: they already say what to try.
    const given = prompts.filter((p) => p.prompt.trim());
    const usable = given.length || !offline ? given : OFFLINE_PROMPTS;
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
        button.addEventListener("click", () => this.handlers.prompt(prompt));
        list.append(button);
      }
      children.push(list);
    }
    this.el.replaceChildren(...children);
  }
}
