export {};
export { InMemorySpanExporter } from '../trace/memory-span-exporter.js';
