package io.pgtrickle.driver.jdbc;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.sql.Date;
import java.sql.JDBCType;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A test double for a JDBC interface, built with {@link Proxy}: it records every call and answers
 * with a sample value of the return type (a nested fake for JDBC interfaces). It stands in for
 * pgjdbc's objects, not for a database: nothing is parsed or executed.
 */
final class Fake implements InvocationHandler {

  /** One recorded call: the method's name and parameter types, its arguments and our answer. */
  record Call(String signature, List<Object> args, Object result) {}

  private final String name;
  private final List<Call> calls = new ArrayList<>();
  private final Map<String, Object> answers = new HashMap<>();

  private Fake(String name) {
    this.name = name;
  }

  /** A fake implementing {@code iface} and, optionally, further interfaces such as PGConnection. */
  static <T> T create(Class<T> iface, Class<?>... more) {
    Class<?>[] interfaces = new Class<?>[more.length + 1];
    interfaces[0] = iface;
    System.arraycopy(more, 0, interfaces, 1, more.length);
    Object proxy =
        Proxy.newProxyInstance(
            Fake.class.getClassLoader(), interfaces, new Fake("fake " + iface.getSimpleName()));
    return iface.cast(proxy);
  }

  /** The recorder behind a fake made by {@link #create}. */
  static Fake of(Object fake) {
    return (Fake) Proxy.getInvocationHandler(fake);
  }

  /** Answers calls to every overload of {@code method} with {@code value}, thrown if Throwable. */
  Fake answer(String method, Object value) {
    answers.put(method, value);
    return this;
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The single call made so far; fails if there were none or several. */
  Call onlyCall() {
    if (calls.size() != 1) {
      throw new AssertionError("expected exactly one call on " + name + " but got " + calls);
    }
    return calls.get(0);
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    switch (method.getName()) {
      case "equals":
        if (method.getParameterCount() == 1 && method.getParameterTypes()[0] == Object.class) {
          return proxy == args[0];
        }
        break;
      case "hashCode":
        if (method.getParameterCount() == 0) {
          return System.identityHashCode(proxy);
        }
        break;
      case "toString":
        if (method.getParameterCount() == 0) {
          return name;
        }
        break;
      default:
        break;
    }
    boolean answered = answers.containsKey(method.getName());
    Object result = answered ? answers.get(method.getName()) : sample(method.getReturnType(), 0);
    List<Object> argList = args == null ? List.of() : Arrays.asList(args);
    calls.add(new Call(signature(method), argList, result));
    // Only a planted answer is thrown: a sampled SQLWarning is a Throwable to be returned.
    if (answered && result instanceof Throwable t) {
      throw t;
    }
    return result;
  }

  /** {@code name(type, type)}, the key by which calls on wrapper and fake are compared. */
  static String signature(Method method) {
    return Arrays.stream(method.getParameterTypes())
        .map(Class::getSimpleName)
        .collect(Collectors.joining(", ", method.getName() + "(", ")"));
  }

  /** Arguments for {@code method}, each distinct from the others so that swaps show. */
  static Object[] arguments(Method method) {
    Class<?>[] types = method.getParameterTypes();
    return IntStream.range(0, types.length).mapToObj(i -> sample(types[i], i + 1)).toArray();
  }

  /** A value of {@code type}; {@code salt} makes values at different positions differ. */
  static Object sample(Class<?> type, int salt) {
    if (type == void.class) {
      return null;
    } else if (type == boolean.class) {
      return salt % 2 == 0;
    } else if (type == byte.class) {
      return (byte) (100 + salt);
    } else if (type == short.class) {
      return (short) (100 + salt);
    } else if (type == int.class) {
      return 100 + salt;
    } else if (type == long.class) {
      return 100L + salt;
    } else if (type == float.class) {
      return 100f + salt;
    } else if (type == double.class) {
      return 100d + salt;
    } else if (type == String.class) {
      return "s" + salt;
    } else if (type == Object.class) {
      return "object " + salt;
    } else if (type == byte[].class) {
      return new byte[] {(byte) salt};
    } else if (type == int[].class) {
      return new int[] {salt};
    } else if (type == long[].class) {
      return new long[] {salt};
    } else if (type == String[].class) {
      return new String[] {"s" + salt};
    } else if (type == Object[].class) {
      return new Object[] {"object " + salt};
    } else if (type == Class.class) {
      // Neither a wrapper nor a fake is an Integer, so unwrap/isWrapperFor must ask the delegate.
      return Integer.class;
    } else if (type == BigDecimal.class) {
      return BigDecimal.valueOf(salt);
    } else if (type == Date.class) {
      return new Date(salt);
    } else if (type == Time.class) {
      return new Time(salt);
    } else if (type == Timestamp.class) {
      return new Timestamp(salt);
    } else if (type == Calendar.class) {
      return Calendar.getInstance();
    } else if (type == URL.class) {
      try {
        return URI.create("file:/sample/" + salt).toURL();
      } catch (MalformedURLException e) {
        throw new AssertionError(e);
      }
    } else if (type == InputStream.class) {
      return new ByteArrayInputStream(new byte[] {(byte) salt});
    } else if (type == Reader.class) {
      return new StringReader("r" + salt);
    } else if (type == Map.class) {
      return new HashMap<String, Class<?>>();
    } else if (type == Properties.class) {
      return new Properties();
    } else if (type == Executor.class) {
      return (Executor) Runnable::run;
    } else if (type == SQLType.class) {
      return JDBCType.values()[salt];
    } else if (type == SQLWarning.class) {
      return new SQLWarning("w" + salt);
    } else if (type.isEnum()) {
      return type.getEnumConstants()[0];
    } else if (type.isInterface()) {
      return create(type);
    }
    throw new AssertionError("Fake has no sample value of " + type.getName() + "; add one");
  }
}
