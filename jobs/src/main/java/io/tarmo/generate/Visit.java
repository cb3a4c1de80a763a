package io.tarmo.generate;

/**
 * One visit to be written as a session of events. {@code userId} is the customer a logged-in
 * visitor becomes (null for anonymous visits); the flags select the stories told in the session.
 */
record Visit(
    long key,
    long startMillis,
    String anonymousId,
    String userId,
    Customer customer,
    int device,
    boolean signup,
    boolean avocadoLover,
    boolean readsFinance,
    boolean booksAppointment,
    boolean analytics,
    boolean marketing) {

  static final int LAPTOP = 0;
  static final int PHONE = 1;
  static final int APP = 2;
}
