
output_probability2C"setosa"
versicolor"	virginica* J²éð>J.òµ>J>H2>2C"setosa"
versicolor"	virginica* JÈ‹<J.»`=Jâo?2C"setosa"
versicolor"	virginica* J6
>Jôd>J¶#<?2C"setosa"
versicolor"	virginica* Jvf$=J…ùÑ=Jiz[?2C"setosa"
versicolor"	virginica* JhŒ>J^îs>JN!!?2C"setosa"
versicolor"	virginica* JõcN=Jü_Õ=JÂmX?2C"setosa"
versicolor"	virginica* JúH³>J­JÁ>JXl‹>2C"setosa"
versicolor"	virginica* J»½›=JU 6>J3à>?2C"setosa"
versicolor"	virginica* JÅ›6?JÂ{Š>J8Ë„<2C"setosa"
versicolor"	virginica* J‹d?JeGZ=J‹]=2C"setosa"
versicolor"	virginica* J¢ø‡>J"ÝF>JgL
?2C"setosa"
versicolor"	virginica* J?JØ€>Jœ/b>2C"setosa"
versicolor"	virginica* JÂ.r?J,V4=J³ö"<2C"setosa"
versicolor"	virginica* J&Æ>J¨q>J‹)Á>2C"setosa"
versicolor"	virginica* J=¥?Jg»>JƒØô=2C"setosa"
versicolor"	virginica* J+‹D;JR±ƒ=JKÅn?