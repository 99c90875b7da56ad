/** Where a distribution's webhooks are sent: the Flagger loadtester Service, by its in-cluster URL. */
export interface TestRunner {
  /** Base URL Flagger posts webhooks to, e.g. `http://flagger-loadtester.webapp/`. */
  readonly url: string;
}
