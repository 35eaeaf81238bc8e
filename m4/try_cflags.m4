# SL_TRY_CFLAG(FLAG, ACTION-IF-OK): does the compiler accept FLAG?
AC_DEFUN([SL_TRY_CFLAG], [
	AC_MSG_CHECKING([whether $CC accepts $1])
	sl_save_CFLAGS=$CFLAGS
	CFLAGS="$CFLAGS -Werror $1"
	AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
	    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no])])
	CFLAGS=$sl_save_CFLAGS
])
