// esbuild's dataurl loader (see package.json) turns a font file into a `data:` URL string.
declare module "*.woff2" {
  const url: string;
  export default url;
}
