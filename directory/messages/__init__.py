"""Messages to people (SMS and e-mail): the outbox they are written to in the
transaction that causes them, the channels, and the delivery the task worker runs."""
