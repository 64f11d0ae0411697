// Form: a flex box that is a <form>; submitting sends `onSubmitAction` with its field values.
import type { ComponentRenderer } from "./env";
import { fieldValues } from "./fields";
import { box } from "./layout";
import { actionOf, latestOf } from "./model";

const layout = box(null, "form");

export const Form: ComponentRenderer = {
  ...layout,
  create(c, env) {
    const el = layout.create(c, env);
    el.addEventListener("submit", (event) => {
      // The browser checked `required` and `pattern` before this fires.
      event.preventDefault();
      const action = actionOf(latestOf(el)?.onSubmitAction);
      const submitter = (event as SubmitEvent).submitter;
      const source = submitter && el.contains(submitter) ? (submitter as HTMLElement) : el;
      if (action) env.act(action, source, "container", fieldValues(el));
    });
    return el;
  },
};
