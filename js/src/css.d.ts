// esbuild's text loader turns the stylesheet into a string export.
declare module "*.css" {
  const css: string;
  export default css;
}
