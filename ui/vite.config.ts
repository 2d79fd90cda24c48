// Vite build of Shewhart's front end into ui/dist, served by `shewhart serve --static ui/dist`.
// Two small steps beyond the defaults: the NHS design system's images are copied to the absolute
// /assets/images/ path its stylesheet names, and its web-font rules (which load Frutiger from
// assets.nhs.uk) are dropped so the app makes no third-party requests (Arial is the fallback the
// design system names). Its Internet Explorer hacks are neutralised for the CSS minifier.
import { cpSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const nhsAssets = resolve(import.meta.dirname, 'node_modules/nhsuk-frontend/dist/nhsuk/assets/images');

function nhsukOffline(): Plugin {
  return {
    name: 'nhsuk-offline',
    transform(code, id) {
      if (!id.includes('nhsuk-frontend') || !id.endsWith('.css')) return null;
      // `@media screen\0` is an Internet Explorer hack that lightningcss rejects: never match it.
      const css = code.replace(/@font-face\s*{[^}]*}/g, '').replace(/@media screen\\0/g, '@media not all');
      return { code: css, map: null };
    },
    writeBundle(options) {
      cpSync(nhsAssets, resolve(options.dir ?? 'dist', 'assets/images'), { recursive: true });
    },
  };
}

export default defineConfig({
  plugins: [nhsukOffline()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
