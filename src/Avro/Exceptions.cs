namespace CinematicSwitch.Avro;

/// <summary>Base of every error this library raises.</summary>
public class AvroException : Exception
{
    public AvroException()
    {
    }

    public AvroException(string message)
        : base(message)
    {
    }

    public AvroException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A schema text that is not valid JSON or not a valid Avro schema; the message names the location.</summary>
public sealed class SchemaParseException : AvroException
{
    public SchemaParseException()
    {
    }

    public SchemaParseException(string message)
        : base(message)
    {
    }

    public SchemaParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Data that cannot be encoded or decoded with a schema (truncated input, value out of range, ...).</summary>
public sealed class AvroEncodingException : AvroException
{
    public AvroEncodingException()
    {
    }

    public AvroEncodingException(string message)
        : base(message)
    {
    }

    public AvroEncodingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A reader schema that cannot read what a writer schema wrote.</summary>
public sealed class AvroResolutionException : AvroException
{
    public AvroResolutionException()
    {
    }

    public AvroResolutionException(string message)
        : base(message)
    {
    }

    public AvroResolutionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A C# type that does not match its record schema exactly; the message lists every difference.</summary>
public sealed class AvroMappingException : AvroException
{
    public AvroMappingException()
    {
    }

    public AvroMappingException(string message)
        : base(message)
    {
    }

    public AvroMappingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
