export type ThemePreference = "auto" | "light" | "dark";

/** Is the host page dark? JupyterLab and VS Code say so on <body>; else the OS decides. */
export function hostIsDark(media: MediaQueryList | null): boolean {
  const body = document.body;
  const jpLight = body?.dataset.jpThemeLight;
  if (jpLight === "false") return true;
  if (jpLight === "true") return false;
  if (body?.classList.contains("vscode-dark") || body?.classList.contains("vscode-high-contrast")) {
    return !body.classList.contains("vscode-high-contrast-light");
  }
  if (body?.classList.contains("vscode-light")) return false;
  return media?.matches ?? false;
}

/**
 * Keep `data-theme` on `root` in step with the preference and, for "auto", with the host.
 * Returns `update` (call when the preference changes) and `dispose`.
 */
export function watchTheme(
  root: HTMLElement,
  preference: () => ThemePreference,
): { update(): void; dispose(): void } {
  const media =
    typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
  const update = () => {
    const pref = preference();
    const dark = pref === "dark" || (pref !== "light" && hostIsDark(media));
    root.dataset.theme = dark ? "dark" : "light";
  };
  const observer = new MutationObserver(update);
  if (document.body) {
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ["class", "data-jp-theme-light", "data-jp-theme-name"],
    });
  }
  media?.addEventListener("change", update);
  update();
  return {
    update,
    dispose() {
      observer.disconnect();
      media?.removeEventListener("change", update);
    },
  };
}
