import { mountApp } from '@/components/ui/app-root';
import '@/components/ui/theme.css';
import './popup.css';
import { App } from './App';

mountApp(document.getElementById('root')!, <App />);
