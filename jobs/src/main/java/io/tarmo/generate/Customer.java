package io.tarmo.generate;

import java.time.LocalDate;

/**
 * One CRM customer as of a given day. Contact values are canonical here (lower-case email, E.164
 * phone); the writers add the mess. Empty strings mean "not known".
 */
record Customer(
    long index,
    String customerId,
    String firstName,
    String lastName,
    String email,
    String phone,
    LocalDate birthDate,
    String street,
    String postalCode,
    String city,
    String country,
    String loyaltyCardId,
    long createdMillis,
    long updatedMillis) {

  Customer withEmail(String value, long updated) {
    return new Customer(index, customerId, firstName, lastName, value, phone, birthDate, street, postalCode, city,
        country, loyaltyCardId, createdMillis, updated);
  }

  Customer withPhone(String value, long updated) {
    return new Customer(index, customerId, firstName, lastName, email, value, birthDate, street, postalCode, city,
        country, loyaltyCardId, createdMillis, updated);
  }

  Customer withAddress(String newStreet, String newPostalCode, String newCity, long updated) {
    return new Customer(index, customerId, firstName, lastName, email, phone, birthDate, newStreet, newPostalCode,
        newCity, country, loyaltyCardId, createdMillis, updated);
  }

  Customer withLoyaltyCard(String value, long updated) {
    return new Customer(index, customerId, firstName, lastName, email, phone, birthDate, street, postalCode, city,
        country, value, createdMillis, updated);
  }
}
