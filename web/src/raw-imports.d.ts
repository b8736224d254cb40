// Vite's ?raw imports (a file's text as a string) and the untyped Swagger UI bundle, for the API page.
declare module '*.md?raw' {
  const text: string;
  export default text;
}
declare module 'swagger-ui-dist/swagger-ui-es-bundle.js';
