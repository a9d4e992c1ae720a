import { mount } from 'svelte';
import './styles.css';
import App from './App.svelte';
import { connectApi } from './lib/api/connect-api.ts';
import { AppState } from './lib/state/app-state.svelte.ts';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
const app = new AppState(connectApi());
void app.load();
mount(App, { target, props: { app } });
