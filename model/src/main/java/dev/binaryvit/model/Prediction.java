package dev.binaryvit.model;

/** One class of a classification: its index, its label (or "class N" without id2label), logit and softmax probability. */
public record Prediction(int index, String label, float logit, float probability) {}
