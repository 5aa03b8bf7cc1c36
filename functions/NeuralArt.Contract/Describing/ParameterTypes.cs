namespace NeuralArt.Contract;

/// <summary>The value types of <see cref="ParameterDescriptor.Type"/> (JSON Schema-like names).</summary>
public static class ParameterTypes
{
    /// <summary>A whole number (JSON number without fraction).</summary>
    public const string Integer = "integer";
    /// <summary>A finite number.</summary>
    public const string Number = "number";
    /// <summary>A string of printable characters (no control characters).</summary>
    public const string String = "string";
    /// <summary>One of <see cref="ParameterDescriptor.Choices"/>.</summary>
    public const string Choice = "choice";
    /// <summary>A JSON array of whole numbers.</summary>
    public const string IntegerList = "integer[]";
    /// <summary>A JSON array of finite numbers.</summary>
    public const string NumberList = "number[]";
}
