package dev.slipway.deploy.services;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The property names SmallRye Config gives the accessors of a {@code @ConfigMapping} interface: the prefix, then
 * each accessor's {@code @WithName} or kebab-case name ({@code @WithParentName} adds none), a map's key as it is.
 */
public final class ConfigKeys {

    private ConfigKeys() {
    }

    /**
     * The key {@code property} reads, found by calling it on a stand-in that records the accessors called, e.g.
     * {@code of(AgentConfig.class, c -> c.switchHooks().beforeDrain())} is
     * {@code slipway.agent.switch-hooks.before-drain} and {@code of(AuthConfig.class, c -> c.tokens().get("ci").secret())}
     * is {@code slipway.cas.auth.tokens.ci.secret}.
     */
    public static <C> String of(Class<C> mapping, Function<C, ?> property) {
        List<String> path = new ArrayList<>(List.of(prefix(mapping)));
        property.apply(mapping.cast(recorder(mapping, path)));
        if (path.size() == 1) {
            throw new IllegalArgumentException("the property of " + mapping.getName() + " calls no accessor");
        }
        return String.join(".", path);
    }

    /** Every key the interface declares, a map's keys as {@code *}. */
    public static void all(Class<?> mapping, Set<String> into) {
        all(prefix(mapping), mapping, into);
    }

    /** Whether {@code key} is one of the interface's, a map's entry under any name. */
    public static boolean declares(Class<?> mapping, String key) {
        Set<String> keys = new java.util.TreeSet<>();
        all(mapping, keys);
        return keys.stream().anyMatch(declared -> key.matches(
                java.util.regex.Pattern.quote(declared).replace("*", "\\E[^.]+\\Q")));
    }

    static String prefix(Class<?> mapping) {
        ConfigMapping annotation = mapping.getAnnotation(ConfigMapping.class);
        if (annotation == null) {
            throw new IllegalArgumentException(mapping.getName() + " is not a @ConfigMapping");
        }
        return annotation.prefix();
    }

    /** The name an accessor adds to the key; empty for {@code @WithParentName}. */
    static Optional<String> segment(Method accessor) {
        if (accessor.isAnnotationPresent(WithParentName.class)) {
            return Optional.empty();
        }
        return Optional.of(accessor.isAnnotationPresent(WithName.class) ? accessor.getAnnotation(WithName.class).value()
                : accessor.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
    }

    private static void all(String prefix, Class<?> group, Set<String> into) {
        for (Method accessor : group.getMethods()) {
            if (accessor.isDefault() || Modifier.isStatic(accessor.getModifiers()) || accessor.getParameterCount() > 0) {
                continue;
            }
            value(segment(accessor).map(name -> prefix + "." + name).orElse(prefix), accessor.getGenericReturnType(),
                    into);
        }
    }

    private static void value(String key, Type type, Set<String> into) {
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Optional.class) {
            value(key, parameterized.getActualTypeArguments()[0], into);
        } else if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Map.class) {
            value(key + ".*", parameterized.getActualTypeArguments()[1], into);
        } else if (group(type) != null) {
            all(key, group(type), into);
        } else {
            into.add(key);
        }
    }

    /** The configuration group a type is (one of ours, an interface), or null for a value. */
    private static Class<?> group(Type type) {
        return type instanceof Class<?> c && c.isInterface() && !c.getName().startsWith("java.") ? c : null;
    }

    private static Object recorder(Class<?> group, List<String> path) {
        return Proxy.newProxyInstance(group.getClassLoader(), new Class<?>[] {group}, (proxy, accessor, args) -> {
            if (accessor.isDefault() || accessor.getDeclaringClass() == Object.class) {
                throw new IllegalArgumentException(accessor + " is not a property");
            }
            segment(accessor).ifPresent(path::add);
            return stand(accessor.getGenericReturnType(), path);
        });
    }

    /** What a recording accessor returns: a recorder of a group or a map, else the type's empty value. */
    private static Object stand(Type type, List<String> path) {
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Optional.class) {
            Object inner = stand(parameterized.getActualTypeArguments()[0], path);
            return inner == null ? Optional.empty() : Optional.of(inner);
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Map.class) {
            Type values = parameterized.getActualTypeArguments()[1];
            return Proxy.newProxyInstance(ConfigKeys.class.getClassLoader(), new Class<?>[] {Map.class},
                    (proxy, method, args) -> {
                        if (!method.getName().equals("get") || args == null || args.length != 1) {
                            throw new IllegalArgumentException("name a map property's entry with get(key), not "
                                    + method.getName());
                        }
                        path.add(String.valueOf(args[0]));
                        return stand(values, path);
                    });
        }
        if (group(type) != null) {
            return recorder(group(type), path);
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class || type == long.class || type == double.class) {
            return type == int.class ? (Object) 0 : type == long.class ? (Object) 0L : (Object) 0.0;
        }
        return null;
    }
}
