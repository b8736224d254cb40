// Entry point: mounts the app into index.html.
import { render } from 'preact';
import { App } from './app';
import './style.css';

const root = document.getElementById('app')!;
// Replace the "Loading…" placeholder of index.html rather than render beside it.
root.textContent = '';
render(<App />, root);
