// The schemas' enums with their symbols as members: Apache.Avro's specific writer matches an enum value to a symbol
// by its name. Members are in the schemas' order, which is also the typed enums' (the mapping tests hold them to it).
#pragma warning disable CA1707 // Avro symbols are UPPER_SNAKE_CASE.
#pragma warning disable CA1008 // The schemas' first symbol, UNKNOWN, is the zero value.

namespace io.cinematicswitch.events;

public enum TransformationTask
{
    UNKNOWN,
    IMAGE_TRANSFORM,
    IMAGE_TO_VIDEO,
    TEXT_TO_VIDEO,
    VIDEO_TO_VIDEO,
}

public enum MediaKind
{
    UNKNOWN,
    IMAGE,
    VIDEO,
}

public enum Provider
{
    UNKNOWN,
    REPLICATE,
    RUNWAY,
    LEONARDO,
}

public enum ErrorCode
{
    UNKNOWN,
    INVALID_INPUT,
    INPUT_VALIDATION_ERROR,
    QUOTA_EXCEEDED_ERROR,
    PROVIDER_ERROR,
    TIMEOUT_ERROR,
}

public enum FailureStage
{
    UNKNOWN,
    PROCESSING,
    ARCHIVING,
}

public enum CreditSource
{
    UNKNOWN,
    REPORTED,
    RATE_TABLE,
}
