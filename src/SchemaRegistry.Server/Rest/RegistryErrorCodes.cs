namespace CinematicSwitch.SchemaRegistry.Server.Rest;

/// <summary>The Confluent Schema Registry's error codes: the HTTP status followed by two digits of detail.</summary>
public static class RegistryErrorCodes
{
    public const int SubjectNotFound = 40401;
    public const int VersionNotFound = 40402;
    public const int SchemaNotFound = 40403;
    public const int SubjectSoftDeleted = 40404;
    public const int SubjectNotSoftDeleted = 40405;
    public const int VersionSoftDeleted = 40406;
    public const int VersionNotSoftDeleted = 40407;
    public const int SubjectCompatibilityNotConfigured = 40408;
    public const int SubjectModeNotConfigured = 40409;

    /// <summary>An incompatible schema: the code is the bare HTTP status, as Confluent's clients expect.</summary>
    public const int IncompatibleSchema = 409;

    public const int InvalidSchema = 42201;
    public const int InvalidVersion = 42202;
    public const int InvalidCompatibilityLevel = 42203;
    public const int InvalidMode = 42204;
    public const int OperationNotPermitted = 42205;

    public const int StoreError = 50001;
    public const int OperationTimeout = 50002;
}
