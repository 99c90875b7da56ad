export { LOADTESTER, loadtester, loadtesterDeployment, loadtesterService, loadtesterUrl } from './loadtester.js';
