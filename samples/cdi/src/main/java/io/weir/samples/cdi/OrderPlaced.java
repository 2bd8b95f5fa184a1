package io.weir.samples.cdi;

/** The CDI event the order listener fires for each order message. */
public record OrderPlaced(String order) {
}
