/** A small valid manifest the tests build on; line numbers below refer to it. */
export const VALID = `apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata:
  name: spark-pi
spec:
  image: apache/spark:3.5.3
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples_2.12-3.5.3.jar
  mainClass: org.apache.spark.examples.SparkPi
`;

/** Nine levels of nine-fold aliases: about 387 million nodes when expanded. */
export const BILLION_LAUGHS = `${VALID}  arguments:
    - &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    - &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    - &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    - &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    - &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    - &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    - &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    - &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
    - &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
`;
